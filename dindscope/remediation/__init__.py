"""dindscope.remediation"""
