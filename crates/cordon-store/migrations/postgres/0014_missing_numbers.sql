-- sqlx 0.8.6's Any driver sends a missing f64 as a PostgreSQL float4 NULL (its Real and Double
-- are swapped for NULLs), and the statement it prepared then refuses a real number later on the
-- same connection ("incorrect binary data format"). The store binds a missing number as NaN
-- instead, always a float8, and these triggers store it as NULL. (No quantity, weight or
-- coordinate is ever NaN: input validation takes finite numbers only.)
CREATE FUNCTION goods_lines_missing_numbers() RETURNS trigger AS $$
BEGIN
    NEW.quantity := NULLIF(NEW.quantity, 'NaN');
    NEW.weight_kg := NULLIF(NEW.weight_kg, 'NaN');
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER goods_lines_missing_numbers BEFORE INSERT OR UPDATE ON goods_lines
    FOR EACH ROW EXECUTE FUNCTION goods_lines_missing_numbers();

CREATE FUNCTION cases_missing_numbers() RETURNS trigger AS $$
BEGIN
    NEW.latitude := NULLIF(NEW.latitude, 'NaN');
    NEW.longitude := NULLIF(NEW.longitude, 'NaN');
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER cases_missing_numbers BEFORE INSERT OR UPDATE ON cases
    FOR EACH ROW EXECUTE FUNCTION cases_missing_numbers();
