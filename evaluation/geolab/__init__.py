"""The geoevents lab: quality scorers behind `geolab eval`, speed behind `geolab bench`, and
`geolab train`.

A tool beside the service, not part of it: it reads labelled data from the checkout and the
shared datasets, and drives the service's own code (streams/) over them.
"""
