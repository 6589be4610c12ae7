-- +goose Up
-- Managers may manage reports (rbac.DefaultGrants since issue 18): a
-- location whose permission table was stored before gets the grant once;
-- a location without a table gets the whole default table when first read.
INSERT INTO `permissions` (`id`, `created_at`, `updated_at`, `role`, `resource`, `action`, `condition`, `location_id`) SELECT 'prm_01KC' || hex(randomblob(11)), datetime('now'), datetime('now'), 'manager', 'reports', 'manage', 'own_location_only', l.`id` FROM `locations` l WHERE EXISTS (SELECT 1 FROM `permissions` p WHERE p.`location_id` = l.`id`) AND NOT EXISTS (SELECT 1 FROM `permissions` p WHERE p.`location_id` = l.`id` AND p.`role` = 'manager' AND p.`resource` = 'reports' AND p.`action` = 'manage');

-- +goose Down
-- The grant stays: an administrator may have relied on it since.
SELECT 1;
