-- +goose Up
-- create "import_report_parts" table
CREATE TABLE `import_report_parts` (`id` integer NOT NULL PRIMARY KEY AUTOINCREMENT, `job_id` text NOT NULL, `first` integer NOT NULL, `rows` json NOT NULL);
-- create index "importreportpart_job_id_first" to table: "import_report_parts"
CREATE UNIQUE INDEX `importreportpart_job_id_first` ON `import_report_parts` (`job_id`, `first`);

-- +goose Down
-- reverse: create index "importreportpart_job_id_first" to table: "import_report_parts"
DROP INDEX `importreportpart_job_id_first`;
-- reverse: create "import_report_parts" table
DROP TABLE `import_report_parts`;
