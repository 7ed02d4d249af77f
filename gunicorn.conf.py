"""gunicorn settings for MPanel; multiprocess-safe Prometheus metrics."""

import os

bind = os.environ.get("MPANEL_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("MPANEL_WORKERS", "2"))
threads = int(os.environ.get("MPANEL_THREADS", "4"))
accesslog = "-"
control_socket_disable = True


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
