"""dindscope.snapshot"""
