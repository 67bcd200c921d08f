"""dindscope.reports"""
