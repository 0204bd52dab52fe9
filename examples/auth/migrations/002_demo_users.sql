-- Demo accounts (the password is in the comment; hashes are scrypt, see passwords.py):
--   ada / lovelace  role editor: read, create and delete records
--   bob / builder   role reader: read records
--   eve / listener  role guest:  nothing
INSERT INTO users (username, password_hash, role) VALUES
    ('ada', 'scrypt$16384$8$1$ec0d7a2a544d88b211b19880b7dfad2d$61738f873a941cee8542dee3bf0227b6d040f30f1d3ac0498ea102517224e573', 'editor'),
    ('bob', 'scrypt$16384$8$1$166c718d5c3bf63d1168f01636aa3d84$5c8a318c5c8d7081212f41b3aa8534d36f86e2ec68d73bde7ff52ca3f4b5aedb', 'reader'),
    ('eve', 'scrypt$16384$8$1$f50a088946817060bd77e2bf401cf94d$d06457c0832b882a14cafb3b767acfa7708c2b038b39088bc62aaf08b0d2e1e9', 'guest');

INSERT INTO privileges (role, resource, action) VALUES
    ('editor', 'records', 'read'),
    ('editor', 'records', 'create'),
    ('editor', 'records', 'delete'),
    ('reader', 'records', 'read');

INSERT INTO records (title, author) VALUES ('Notes on the Analytical Engine', 1);
