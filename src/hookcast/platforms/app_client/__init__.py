"""What the IM app clients share: the client base (find a person, send, refresh the access token
once), the token and look-up caches, and the JSON-over-HTTP helper. Each platform's own client
is in its package (``platforms/<name>/im_app.py``)."""
