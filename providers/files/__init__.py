"""Files and the table formats over them: local paths and globs (``local``) and S3
(``s3``), which share how a file's format is told and read (``formats``, with the JSON
and CSV readers of ``providers.readers``), folders of many files (``blobset``,
``merge``), and Delta Lake and Apache Iceberg tables read through their metadata
(``tables``, ``delta``, ``iceberg``)."""
