import GRDB

/// The database schema, as GRDB migrations applied in order on open.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE managed_programs (
                    program_id INTEGER PRIMARY KEY,
                    program_name TEXT NOT NULL,
                    program_type TEXT NOT NULL,
                    object_path TEXT NOT NULL,
                    source_path TEXT,
                    image_source TEXT,
                    attach_func TEXT,
                    global_data TEXT NOT NULL,
                    metadata TEXT NOT NULL,
                    map_owner_id INTEGER,
                    map_set_id INTEGER NOT NULL,
                    map_pin_path TEXT NOT NULL,
                    license TEXT NOT NULL,
                    created_at INTEGER NOT NULL
                );
                CREATE INDEX managed_programs_map_set ON managed_programs(map_set_id);
                CREATE TABLE links (
                    id INTEGER PRIMARY KEY,
                    program_id INTEGER NOT NULL REFERENCES managed_programs(program_id),
                    kind TEXT NOT NULL,
                    kernel_link_id INTEGER,
                    pin_path TEXT,
                    details TEXT NOT NULL,
                    metadata TEXT,
                    created_at INTEGER NOT NULL
                );
                CREATE INDEX links_program ON links(program_id);
                CREATE TABLE link_id_counter (
                    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
                    last_id INTEGER NOT NULL
                );
                INSERT INTO link_id_counter (singleton, last_id) VALUES (1, 0);
                """)
        }
        migrator.registerMigration("v2-dispatchers") { db in
            try db.execute(sql: """
                CREATE TABLE dispatchers (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    type TEXT NOT NULL,
                    nsid INTEGER NOT NULL,
                    ifindex INTEGER NOT NULL,
                    revision INTEGER NOT NULL,
                    program_id INTEGER NOT NULL,
                    kernel_link_id INTEGER,
                    filter_priority INTEGER,
                    filter_handle INTEGER,
                    ifname TEXT NOT NULL,
                    netns_path TEXT NOT NULL,
                    UNIQUE (type, nsid, ifindex)
                );
                """)
        }
        return migrator
    }
}
