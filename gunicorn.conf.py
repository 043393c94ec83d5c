"""gunicorn settings, read from the working directory (command-line flags win).

Each worker freezes the objects it holds once the app is loaded (Django, DRF, the URL
conf, the translations: about 180,000 objects). The garbage collector then never walks them
again: without this a full collection every few thousand requests stalled a worker for
about 100 ms, which is what a p99 sees (docs/PERFORMANCE.md, desk queue pages)."""

import gc

accesslog = None
worker_class = "sync"


def post_worker_init(worker):
    gc.freeze()
