"""The archive's schema: numbered migrations, applied in order by ``db.migrate``.

A migration, once released, never changes (existing archives record it by name as
applied); a change of schema is a new migration at the end of the list.
"""

from __future__ import annotations

MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_initial",
        """
        CREATE TABLE issues (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,
            source TEXT NOT NULL,
            title TEXT,
            date TEXT,
            number INTEGER,
            page_count INTEGER,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE provenance (
            id INTEGER PRIMARY KEY,
            hash TEXT NOT NULL UNIQUE,
            data TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE pages (
            id INTEGER PRIMARY KEY,
            issue_id INTEGER NOT NULL REFERENCES issues(id),
            number INTEGER NOT NULL,
            source TEXT NOT NULL,
            source_sha256 TEXT NOT NULL,
            page_index INTEGER NOT NULL,
            dpi INTEGER,
            width INTEGER,
            height INTEGER,
            skew_degrees REAL,
            deskewed_width INTEGER,
            deskewed_height INTEGER,
            image_path TEXT,
            status TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'done', 'failed')),
            error TEXT,
            settings_hash TEXT,
            provenance_id INTEGER REFERENCES provenance(id),
            seconds REAL,
            timings TEXT,
            attempts INTEGER NOT NULL DEFAULT 0,
            processed_at TEXT,
            UNIQUE (source_sha256, page_index),
            UNIQUE (issue_id, number)
        );
        CREATE TABLE regions (
            id INTEGER PRIMARY KEY,
            page_id INTEGER NOT NULL REFERENCES pages(id) ON DELETE CASCADE,
            ord INTEGER NOT NULL,
            kind TEXT NOT NULL,
            x0 REAL, y0 REAL, x1 REAL, y1 REAL,
            poly TEXT NOT NULL,
            text TEXT,
            column_index INTEGER,
            article_id INTEGER REFERENCES articles(id) ON DELETE SET NULL
        );
        CREATE INDEX regions_page ON regions(page_id);
        CREATE TABLE lines (
            id INTEGER PRIMARY KEY,
            page_id INTEGER NOT NULL REFERENCES pages(id) ON DELETE CASCADE,
            region_id INTEGER REFERENCES regions(id) ON DELETE SET NULL,
            ord INTEGER NOT NULL,
            text TEXT NOT NULL,
            ocr_text TEXT NOT NULL,
            confidence REAL,
            poly TEXT NOT NULL,
            x0 REAL, y0 REAL, x1 REAL, y1 REAL,
            version INTEGER NOT NULL DEFAULT 1,
            corrected INTEGER NOT NULL DEFAULT 0,
            article_id INTEGER REFERENCES articles(id) ON DELETE SET NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX lines_page ON lines(page_id, ord);
        CREATE INDEX lines_region ON lines(region_id);
        CREATE TABLE line_history (
            id INTEGER PRIMARY KEY,
            line_id INTEGER NOT NULL REFERENCES lines(id) ON DELETE CASCADE,
            version INTEGER NOT NULL,
            text TEXT NOT NULL,
            source TEXT NOT NULL,
            author TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX line_history_line ON line_history(line_id, version);
        CREATE TABLE articles (
            id INTEGER PRIMARY KEY,
            issue_id INTEGER NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
            ord INTEGER NOT NULL,
            title TEXT,
            text TEXT NOT NULL DEFAULT '',
            pages TEXT NOT NULL DEFAULT '[]',
            method TEXT NOT NULL DEFAULT 'block',
            version INTEGER NOT NULL DEFAULT 1,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX articles_issue ON articles(issue_id, ord);
        CREATE TABLE article_lines (
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            line_id INTEGER NOT NULL REFERENCES lines(id) ON DELETE CASCADE,
            ord INTEGER NOT NULL,
            PRIMARY KEY (article_id, line_id)
        );
        CREATE INDEX article_lines_line ON article_lines(line_id);
        """,
    ),
    (
        "0002_page_meta",
        """
        ALTER TABLE pages ADD COLUMN printed_number INTEGER;
        ALTER TABLE pages ADD COLUMN meta TEXT NOT NULL DEFAULT '{}';
        ALTER TABLE issues ADD COLUMN flags TEXT NOT NULL DEFAULT '[]';
        """,
    ),
    (
        "0003_file_hashes",
        """
        CREATE TABLE file_hashes (
            path TEXT PRIMARY KEY,
            size INTEGER NOT NULL,
            mtime_ns INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            hashed_at TEXT NOT NULL
        );
        """,
    ),
    (
        "0004_suspect_and_leases",
        """
        ALTER TABLE pages ADD COLUMN confidence REAL;
        ALTER TABLE pages ADD COLUMN suspect INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE pages ADD COLUMN suspect_reasons TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE pages ADD COLUMN lease_run TEXT;
        ALTER TABLE pages ADD COLUMN lease_pid INTEGER;
        ALTER TABLE pages ADD COLUMN lease_host TEXT;
        ALTER TABLE pages ADD COLUMN lease_at TEXT;
        UPDATE pages SET confidence =
            (SELECT avg(l.confidence) FROM lines l WHERE l.page_id = pages.id)
            WHERE status = 'done';
        CREATE INDEX pages_suspect ON pages(suspect) WHERE suspect = 1;
        CREATE INDEX pages_lease ON pages(lease_run) WHERE lease_run IS NOT NULL;
        """,
    ),
    (
        "0005_papers",
        """
        CREATE TABLE papers (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            named_at TEXT NOT NULL
        );
        """,
    ),
    (
        # Full-text search (ocr/archive/search.py, ocr/archive/index.py): contentless
        # FTS5 tables of the tokens ``ocr_tokens`` makes (ocr/text/search.py). Lines are
        # indexed by their triggers directly (a removed row's tokens made again from its
        # old text). An article's indexed text is its lines' current text in reading
        # order (``search_text``, what ``articles_fts`` holds); the triggers mark the
        # articles whose title, lines or line text changed in ``search_dirty``, and the
        # writer's transaction indexes them again before it commits
        # (``index.flush``). Built here for the rows already stored.
        "0006_search",
        """
        CREATE VIRTUAL TABLE articles_fts USING fts5(
            title, body, content='', prefix='1', tokenize='unicode61 remove_diacritics 2'
        );
        CREATE VIRTUAL TABLE lines_fts USING fts5(
            text, content='', prefix='1', tokenize='unicode61 remove_diacritics 2'
        );
        CREATE TABLE search_text (
            article_id INTEGER PRIMARY KEY,
            title TEXT,
            body TEXT NOT NULL
        );
        CREATE TABLE search_dirty (article_id INTEGER PRIMARY KEY);
        CREATE TABLE search_info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT INTO search_info VALUES ('tokens_version', '1');
        CREATE TRIGGER articles_search_insert AFTER INSERT ON articles BEGIN
            INSERT OR IGNORE INTO search_dirty VALUES (new.id);
        END;
        CREATE TRIGGER articles_search_update AFTER UPDATE OF id, title ON articles
        WHEN old.id IS NOT new.id OR old.title IS NOT new.title
        BEGIN
            INSERT OR IGNORE INTO search_dirty VALUES (old.id), (new.id);
        END;
        CREATE TRIGGER articles_search_delete AFTER DELETE ON articles BEGIN
            INSERT OR IGNORE INTO search_dirty VALUES (old.id);
        END;
        CREATE TRIGGER article_lines_search_insert AFTER INSERT ON article_lines BEGIN
            INSERT OR IGNORE INTO search_dirty VALUES (new.article_id);
        END;
        CREATE TRIGGER article_lines_search_update AFTER UPDATE ON article_lines BEGIN
            INSERT OR IGNORE INTO search_dirty VALUES (old.article_id), (new.article_id);
        END;
        CREATE TRIGGER article_lines_search_delete AFTER DELETE ON article_lines BEGIN
            INSERT OR IGNORE INTO search_dirty VALUES (old.article_id);
        END;
        CREATE TRIGGER lines_search_insert AFTER INSERT ON lines BEGIN
            INSERT INTO lines_fts (rowid, text) VALUES (new.id, ocr_tokens(new.text));
        END;
        CREATE TRIGGER lines_search_update AFTER UPDATE OF id, text ON lines
        WHEN old.id IS NOT new.id OR old.text IS NOT new.text
        BEGIN
            INSERT INTO lines_fts (lines_fts, rowid, text)
                VALUES ('delete', old.id, ocr_tokens(old.text));
            INSERT INTO lines_fts (rowid, text) VALUES (new.id, ocr_tokens(new.text));
            INSERT OR IGNORE INTO search_dirty
                SELECT article_id FROM article_lines WHERE line_id IN (old.id, new.id);
        END;
        CREATE TRIGGER lines_search_delete AFTER DELETE ON lines BEGIN
            INSERT INTO lines_fts (lines_fts, rowid, text)
                VALUES ('delete', old.id, ocr_tokens(old.text));
        END;
        INSERT INTO lines_fts (rowid, text) SELECT id, ocr_tokens(text) FROM lines;
        INSERT INTO search_dirty SELECT id FROM articles;
        """,
    ),
    (
        "0007_review",
        """
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            role TEXT NOT NULL CHECK (role IN ('admin', 'reviewer', 'viewer')),
            password_hash TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE sessions (
            token_hash TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            csrf TEXT NOT NULL,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL
        );
        CREATE INDEX sessions_user ON sessions(user_id);
        ALTER TABLE lines ADD COLUMN checked INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE lines ADD COLUMN ocr_resolved TEXT;
        ALTER TABLE pages ADD COLUMN review_status TEXT NOT NULL DEFAULT 'new'
            CHECK (review_status IN ('new', 'in_progress', 'done'));
        ALTER TABLE articles ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;
        CREATE TABLE changes (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('line', 'article')),
            action TEXT NOT NULL,
            issue_id INTEGER REFERENCES issues(id) ON DELETE CASCADE,
            line_id INTEGER REFERENCES lines(id) ON DELETE SET NULL,
            before TEXT NOT NULL,
            after TEXT NOT NULL,
            author TEXT,
            created_at TEXT NOT NULL,
            undo_of INTEGER REFERENCES changes(id),
            undone_by INTEGER REFERENCES changes(id)
        );
        CREATE INDEX changes_line ON changes(line_id);
        CREATE TABLE change_articles (
            change_id INTEGER NOT NULL REFERENCES changes(id) ON DELETE CASCADE,
            article_id INTEGER NOT NULL,
            PRIMARY KEY (change_id, article_id)
        );
        CREATE INDEX change_articles_article ON change_articles(article_id);
        CREATE INDEX lines_queue ON lines(confidence) WHERE corrected = 0 AND checked = 0;
        CREATE INDEX lines_corrected ON lines(page_id) WHERE corrected = 1;
        CREATE INDEX pages_issue_review ON pages(issue_id, review_status);
        """,
    ),
    (
        "0008_page_preparation",
        """
        ALTER TABLE pages ADD COLUMN leaf INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE pages ADD COLUMN orientation INTEGER;
        ALTER TABLE pages ADD COLUMN preparation TEXT;
        """,
    ),
    (
        "0009_login_failures",
        """
        CREATE TABLE login_failures (
            id INTEGER PRIMARY KEY,
            account TEXT NOT NULL,
            address TEXT NOT NULL,
            at REAL NOT NULL
        );
        CREATE INDEX login_failures_account ON login_failures(account, at);
        CREATE INDEX login_failures_address ON login_failures(address, at);
        """,
    ),
    (
        "0010_char_centres",
        """
        ALTER TABLE lines ADD COLUMN char_centres TEXT;
        """,
    ),
]
