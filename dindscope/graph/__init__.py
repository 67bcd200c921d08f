"""dindscope.graph"""
