"""The state stages keep: an expiring key-value interface over a Faust table or a dict."""
