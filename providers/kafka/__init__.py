"""Kafka topics (``provider``), and the formats of their messages (``payloads``)."""
