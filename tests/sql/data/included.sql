-- a script RUN SCRIPT includes
CREATE STREAM included (id BIGINT, name VARCHAR);
