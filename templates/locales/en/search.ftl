# Search (issue 21, item 5): abbreviations and synonyms, the number of results, relevance.

## Number of results and order
search-count-one = 1 result
search-count = { $n } results
search-count-more = More than { $n } results
search-best-first = Best matches first (the words in the title), then the newest.
search-best-first-link = Show best matches first
search-also = Also searched: { $terms }

## Admin: abbreviations and synonyms
admin-synonyms = Abbreviations and synonyms
admin-synonyms-about = Ways of writing the same thing (such as TTHC and thủ tục hành chính) that search understands.
admin-synonyms-intro = Each group holds terms that mean the same. When staff search the feedback list, or citizens search the published answers, for one term of a group, the results include the others. Search ignores diacritics and case. Changes apply as soon as they are saved.
admin-synonyms-new = Add a group
admin-synonyms-edit = Edit group
admin-synonyms-form-intro = For example, a group of two lines, "CCCD" and "căn cước công dân": searching "CCCD" also finds feedback that says "căn cước công dân", and the other way round.
admin-synonym-first = Abbreviation
admin-synonym-others = Terms with the same meaning
admin-synonym-terms = Terms
admin-synonym-terms-hint = One term a line, at least two lines. Terms that differ only in diacritics or case count as one.
admin-synonym-remove = Remove group
admin-synonym-taken = The term { $value } is already in another group; edit that group instead.
admin-err-terms-few = Enter at least two different terms (differences of diacritics or case do not count).
admin-err-terms-many = A group holds at most { $value } terms.
admin-err-term-words = A term has at most { $value } words.
admin-entity-search-synonym = Abbreviation, synonym
