"""gunicorn settings, read from the working directory (command-line flags win).

Garbage collection happens between requests, never inside one. A request to this app
leaves about 140 objects in reference cycles (Django's and DRF's request, view and response
objects point at each other), which only the cycle collector frees; left to itself it ran
in the middle of whichever request crossed its threshold, and the slowest 1% of desk queue
pages spent 2 ms of their 5 in it (docs/PERFORMANCE.md). So each worker:

- freezes the objects it holds once the app is loaded (Django, DRF, the URL conf, the
  translations: about 180,000 objects), which no collection then walks again;
- turns automatic collection off;
- after each response has been sent, runs the collection the interpreter would have run by
  then, on the interpreter's own thresholds (a young collection every 700 net allocations,
  an older one every tenth, the oldest every tenth of those), while the next request is
  taken by another worker."""

import gc

accesslog = None
worker_class = "sync"


def post_worker_init(worker):
    gc.freeze()
    gc.disable()


def post_request(worker, req, environ, resp):
    young, older, _oldest = gc.get_threshold()
    allocated, young_runs, older_runs = gc.get_count()
    if allocated < young:
        return
    if older_runs >= _oldest:
        gc.collect(2)
    elif young_runs >= older:
        gc.collect(1)
    else:
        gc.collect(0)
