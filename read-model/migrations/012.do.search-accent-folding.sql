-- Accent folding for the search index's PostgreSQL adapter (docs/adr/0024-search-engine.md,
-- "Accents"): "cafe" finds "Café", "strasse" finds "Straße", as OpenSearch's asciifolding filter does.
-- `search_folded` is the `simple` configuration with the unaccent dictionary in front of each word
-- kind, so stored vectors, queries and highlights all fold the same way. unaccent is trusted.
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE TEXT SEARCH CONFIGURATION search_folded (COPY = simple);
ALTER TEXT SEARCH CONFIGURATION search_folded
  ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part WITH unaccent, simple;

-- What was indexed before, folded now (the same weights as pgSearchIndex.write.ts).
UPDATE search_tasks SET search =
  setweight(to_tsvector('search_folded', title), 'A')
  || setweight(to_tsvector('search_folded', array_to_string(labels, ' ')), 'B')
  || setweight(to_tsvector('search_folded', description || ' ' || array_to_string(comments, ' ')), 'C');
INSERT INTO search_terms (term)
SELECT DISTINCT w.term FROM search_tasks t, unnest(tsvector_to_array(t.search)) AS w(term)
WHERE w.term !~ '[[:space:][:punct:]]' AND length(w.term) <= 64
ON CONFLICT DO NOTHING;
