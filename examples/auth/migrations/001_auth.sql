-- Users, their role, and what each role may do: the `privileges` table the
-- seed's `private(resource)` decorator reads (one row per role, resource and action).
CREATE TABLE users (
    id            serial PRIMARY KEY,
    username      text NOT NULL UNIQUE,
    password_hash text NOT NULL,
    role          text NOT NULL
);

CREATE TABLE privileges (
    role     text NOT NULL,
    resource text NOT NULL,
    action   text NOT NULL CHECK (action IN ('read', 'create', 'update', 'delete')),
    PRIMARY KEY (role, resource, action)
);

CREATE TABLE records (
    id     serial PRIMARY KEY,
    title  text NOT NULL,
    author integer NOT NULL REFERENCES users (id)
);
