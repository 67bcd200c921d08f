"""dindscope: which containers on this build host can become root on the host, and how."""

__version__ = "0.1.0"
