-- Postcode -> ward and Westminster constituency (2024 boundaries), loaded from the ONS Postcode
-- Directory by `casedesk geo import`. Tables are prefixed geo_ to keep them apart from cases.
CREATE TABLE geo_wards (
    code  TEXT PRIMARY KEY,
    name  TEXT NOT NULL
);

CREATE TABLE geo_constituencies (
    code  TEXT PRIMARY KEY,
    name  TEXT NOT NULL
);

CREATE TABLE geo_postcodes (
    postcode                TEXT PRIMARY KEY,  -- ONSPD pcds, normalised: "CB1 2AD"
    ward_code               TEXT,
    constituency_code       TEXT,
    local_authority_code    TEXT,
    is_terminated           INTEGER NOT NULL DEFAULT 0,  -- ONSPD doterm was set
    constituency_from_ward  INTEGER NOT NULL DEFAULT 0   -- inferred from a ward lookup
) WITHOUT ROWID;
CREATE INDEX geo_postcodes_constituency ON geo_postcodes(constituency_code, ward_code);
