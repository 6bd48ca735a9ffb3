"""``make bench``: the performance budget of the API, measured on this machine.

Cold start per function against a textbook Powertools handler, database round trips per
endpoint counted on the wire, warm cost per endpoint against the same SQL run bare, a worker's
memory over thousands of requests, and throughput through the local API. Each measurement is
a median of repeated runs or a ratio taken side by side in the same run, because the machine
is shared and noisy; nothing here is a timed test.
"""
