"""dindscope.analysis"""
