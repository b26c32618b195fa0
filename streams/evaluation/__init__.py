"""Quality measurement: scorers behind `geoevents eval` and speed behind `geoevents bench`."""
