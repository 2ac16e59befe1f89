-- Reserved: version 14 is another branch's migration, written in parallel
-- with 0015_courses. This file only keeps the numbering without a gap
-- until that branch is merged; the merge replaces it with that branch's
-- 0014 (it does nothing, so a database migrated through it stays right).
SELECT 1;
