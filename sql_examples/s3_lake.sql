-- Files in an S3 bucket (or MinIO, R2, moto ...) as streams.
--
--   aws s3 cp sql_examples/data/seattle_weather.parquet s3://$BUCKET/lake/weather/city=seattle/
--   aws s3 cp sql_examples/data/penguins.csv s3://$BUCKET/lake/penguins/
--   schemacat --catalog lake.db run sql_examples/s3_lake.sql --var bucket=$BUCKET
--
-- Credentials come from boto3's chain (AWS_PROFILE, AWS_ACCESS_KEY_ID ...); for a
-- server other than AWS set AWS_ENDPOINT_URL_S3, or add endpoint_url to WITH (...).

-- A prefix: every file under it, merged by column name; the city=seattle/ folder
-- becomes a column.  Parquet is read from its footer (a few KB of a big object).
CREATE STREAM weather WITH (datasource = 's3://${bucket}/lake/weather/');

-- CSV through DuckDB's sniffer, with the dataset's NA read as NULL.
CREATE STREAM penguins WITH (datasource = 's3://${bucket}/lake/penguins/penguins.csv', nullstr = 'NA');

DESCRIBE weather;
DESCRIBE EXTENDED penguins;

-- A derived stream over two objects of the lake.
CREATE STREAM wet_days AS
SELECT city, date_trunc('month', date) AS month, count(*) AS days, sum(precipitation) AS total_mm
FROM weather
WHERE precipitation > 0
GROUP BY city, month;

DESCRIBE wet_days;
SHOW STREAMS;
