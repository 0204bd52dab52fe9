-- Three patients to look at right away: /v1/patients/1000 is the seed's example.
INSERT INTO patients (name, born, ward, notes) VALUES
    ('Ada Lovelace', '1815-12-10', 'cardiology', 'Recovering well.'),
    ('Charles Babbage', '1791-12-26', 'cardiology', ''),
    ('Mary Somerville', '1780-12-26', 'neurology', 'Allergic to penicillin.');
