-- +goose Up
-- modify "memberships" table
ALTER TABLE "memberships" ADD COLUMN "disabled_at" timestamptz NULL;
-- create "invitations" table
CREATE TABLE "invitations" ("id" character varying NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "email" character varying NOT NULL, "name" character varying NOT NULL DEFAULT '', "role" character varying NOT NULL, "accepted_at" timestamptz NULL, "location_id" character varying NOT NULL, "invited_by_id" character varying NULL, PRIMARY KEY ("id"), CONSTRAINT "invitations_locations_location" FOREIGN KEY ("location_id") REFERENCES "locations" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION, CONSTRAINT "invitations_users_invited_by" FOREIGN KEY ("invited_by_id") REFERENCES "users" ("id") ON UPDATE NO ACTION ON DELETE SET NULL);
-- create index "invitation_email" to table: "invitations"
CREATE INDEX "invitation_email" ON "invitations" ("email");
-- create index "invitation_location_id" to table: "invitations"
CREATE INDEX "invitation_location_id" ON "invitations" ("location_id");

-- +goose Down
-- reverse: create index "invitation_location_id" to table: "invitations"
DROP INDEX "invitation_location_id";
-- reverse: create index "invitation_email" to table: "invitations"
DROP INDEX "invitation_email";
-- reverse: create "invitations" table
DROP TABLE "invitations";
-- reverse: modify "memberships" table
ALTER TABLE "memberships" DROP COLUMN "disabled_at";
