"""dindscope.collect"""
