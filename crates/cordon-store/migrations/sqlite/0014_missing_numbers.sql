-- The store binds a missing number (quantity, weight, coordinates) as NaN, to work around the
-- PostgreSQL side of an sqlx bug (see the PostgreSQL migration of the same number). SQLite
-- stores a bound NaN as NULL by itself, so nothing is needed here.
SELECT 1;
