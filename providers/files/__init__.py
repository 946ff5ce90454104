"""Files and the table formats over them: local paths and globs (``local``) and S3
(``s3``, its calls kept within one deadline by ``s3_calls``), which share how a file's
format is told and read (``formats``, with the JSON and CSV readers of
``providers.readers``), folders of many files (``blobset``: which files are one table,
``groups``; their schemas merged, ``merge``; hive partition columns, ``hive``), and
Delta Lake and Apache Iceberg tables read through their metadata (``tables``, ``delta``,
``iceberg``)."""
