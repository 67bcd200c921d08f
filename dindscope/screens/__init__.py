"""dindscope.screens"""
