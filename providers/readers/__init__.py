"""Readers of record formats that more than one provider meets: JSON (``json_reader``) and
CSV (``csv_reader``, DuckDB's sniffer), in files, S3 objects and Kafka messages alike."""
