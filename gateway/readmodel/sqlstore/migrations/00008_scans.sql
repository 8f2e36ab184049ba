-- Shoppers' scans of serialized items and their reports, which lived in a
-- bbolt file per gateway (scans.db): here every gateway on one database
-- counts the same scans and shares each device's daily allowance of
-- reports. Times are unix microseconds (UTC), so that they compare as
-- numbers on both databases. Nothing is carried over from scans.db (see
-- DESIGN.md).

-- +goose Up
CREATE TABLE rm_scans (
    item     TEXT    PRIMARY KEY, -- 01/{gtin}/10/{lot}/21/{serial}
    gtin     TEXT    NOT NULL,
    scans    BIGINT  NOT NULL,    -- scans counted
    first_at BIGINT  NOT NULL,    -- 0 before the first
    last_at  BIGINT  NOT NULL,
    devices  INTEGER NOT NULL,    -- distinct devices counted
    places   INTEGER NOT NULL     -- distinct places counted
);
CREATE INDEX rm_scans_gtin ON rm_scans (gtin, scans);

-- The hashed device keys an item remembers (at most scans.MaxDevices),
-- with the time of their last counted scan.
CREATE TABLE rm_scan_devices (
    item    TEXT   NOT NULL,
    device  TEXT   NOT NULL,
    last_at BIGINT NOT NULL,
    PRIMARY KEY (item, device)
);

-- The hashed places an item remembers (at most scans.MaxPlaces).
CREATE TABLE rm_scan_places (
    item  TEXT NOT NULL,
    place TEXT NOT NULL,
    PRIMARY KEY (item, place)
);

-- The reports' numbering; its one row is locked by each filing, which
-- serialises the daily allowance across gateways.
CREATE TABLE rm_report_seq (
    id   INTEGER PRIMARY KEY,
    last BIGINT  NOT NULL
);
INSERT INTO rm_report_seq (id, last) VALUES (1, 0);

CREATE TABLE rm_reports (
    seq      BIGINT PRIMARY KEY,
    producer TEXT   NOT NULL,
    device   TEXT   NOT NULL, -- hashed
    at       BIGINT NOT NULL,
    doc      TEXT   NOT NULL  -- the report as JSON, without the device
);
CREATE INDEX rm_reports_producer ON rm_reports (producer, seq);
CREATE INDEX rm_reports_device ON rm_reports (device, at);

-- +goose Down
DROP TABLE rm_reports;
DROP TABLE rm_report_seq;
DROP TABLE rm_scan_places;
DROP TABLE rm_scan_devices;
DROP TABLE rm_scans;
