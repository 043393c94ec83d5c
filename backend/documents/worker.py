"""What a Celery worker that issues documents does once, before its pool starts."""

from celery.signals import worker_init

from backend.legal.pdf import warm_up


@worker_init.connect
def _warm_up_document_rendering(sender=None, **_kwargs) -> None:
    """A worker that consumes the documents' queue loads the PDF reader before its pool
    starts: the first document after a start had waited a second for it. (Celery sets
    Django up, and so runs this module's import from ``DocumentsConfig.ready``, before it
    sends ``worker_init``.)"""
    app = sender.app
    queues = app.amqp.queues
    consumed = queues.consume_from or queues
    if app.conf.task_routes["documents.issue"]["queue"] in consumed:
        warm_up()
