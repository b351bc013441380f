"""Wirecheck command line and (later) the Discord adapter; imports only retrieval's public API."""
