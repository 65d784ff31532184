-- Pledges: a branch may also run term pledges (岗位承诺 for the current school term, as
-- well as for the year). Off by default; its secretary switches it on the board.
ALTER TABLE pledge_branch_state ADD COLUMN runs_terms INTEGER NOT NULL DEFAULT 0;
