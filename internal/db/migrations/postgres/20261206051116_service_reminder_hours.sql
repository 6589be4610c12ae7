-- +goose Up
-- modify "services" table
ALTER TABLE "services" ADD COLUMN "reminder_hours" bigint NOT NULL DEFAULT 24;

-- +goose Down
-- reverse: modify "services" table
ALTER TABLE "services" DROP COLUMN "reminder_hours";
