-- Hand-written: fill the task fields added without database defaults (see
-- ent/schema/task.go) for tasks that existed before them.

-- +goose Up
UPDATE tasks SET kind = 'general' WHERE kind IS NULL;
UPDATE tasks SET priority_manual = false WHERE priority_manual IS NULL;
UPDATE tasks SET priority_rank = CASE priority WHEN 'low' THEN 0 WHEN 'high' THEN 2 WHEN 'urgent' THEN 3 ELSE 1 END WHERE priority_rank IS NULL;

-- +goose Down
SELECT 1;
