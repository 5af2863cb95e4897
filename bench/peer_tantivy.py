"""Tantivy (through its Python binding) as a peer: the same works, the same questions.

Schema: `tags` is a multi-valued u64 field, indexed and fast; every sort column is a fast field (text sorts as
raw-tokenized fast text); `restricted` is an indexed boolean. A query is a boolean query: a term query per
included tag, a must-not term query per excluded tag, a range over the rating tag ids, and `restricted:false`
for guests. The page comes from `searcher.search(..., order_by_field=...)` with `count=True`; facets from a
terms aggregations whose size exceeds the number of tags, so every count is exact.

The Python binding caps one aggregation request at 65,000 buckets (Tantivy's default bucket limit, which it
does not let a caller raise), fewer than the tags a broad query touches. So each work's tags are also written to
one fast field per tag type (`facet_<type>`), and the facets are one terms aggregation per field, packed into
as few requests as keep each under the cap (three here: characters; relationships with fandoms and the fixed
types; additional tags).

Tantivy orders by one field only, so ties in the sort column are not broken by work id as the index does;
the page differs only in the order of tied works.
"""

import shutil
import tempfile
import time

import numpy as np
import tantivy
from peers import SORT_COLUMNS, PeerResult, TagTypes, check_supported

BUCKET_LIMIT = 65_000
NUMERIC = ("word_count", "hit_count", "kudos_count", "comment_count", "bookmark_count")


class TantivyPeer:
    name = "tantivy"

    def __init__(self) -> None:
        self.directory = None
        self.index = None
        self.searcher = None

    def build(self, synthetic, *, batch: int = 50_000) -> float:
        """Index every listed work; returns the seconds it took (documents made, added and committed)."""
        rows = synthetic.rows
        builder = tantivy.SchemaBuilder()
        builder.add_unsigned_field("id", stored=True, fast=True)
        builder.add_unsigned_field("tags", indexed=True, fast=True)
        builder.add_boolean_field("restricted", indexed=True, fast=True)
        for column in NUMERIC:
            builder.add_unsigned_field(column, fast=True)
        self.tag_types = TagTypes(synthetic.tags)
        for kind in self.tag_types.names:
            builder.add_unsigned_field(f"facet_{kind}", fast=True)
        builder.add_integer_field("revised_at", fast=True)
        builder.add_integer_field("published_on", fast=True)
        builder.add_text_field("title", fast=True, tokenizer_name="raw", index_option="basic")
        builder.add_text_field("creator", fast=True, tokenizer_name="raw", index_option="basic")
        self.schema = builder.build()
        self.directory = tempfile.mkdtemp(prefix="fanfold-bench-tantivy-")

        started = time.perf_counter()
        self.index = tantivy.Index(self.schema, path=self.directory)
        writer = self.index.writer(heap_size=1_000_000_000, num_threads=2)
        offsets, tag_ids = rows.tag_offsets.tolist(), rows.tag_ids.tolist()
        columns = {
            "id": rows.work_ids.tolist(),
            "restricted": rows.restricted.tolist(),
            "word_count": rows.word_count.tolist(),
            "hit_count": rows.hit_count.tolist(),
            "kudos_count": rows.kudos_count.tolist(),
            "comment_count": rows.comment_count.tolist(),
            "bookmark_count": rows.bookmark_count.tolist(),
            "revised_at": rows.revised_at.tolist(),
            "published_on": rows.published_on.tolist(),
            "title": rows.titles,
            "creator": rows.creator_names,
        }
        names, schema = list(columns), self.schema
        type_names, type_code = self.tag_types.names, self.tag_types.type_of.tolist()

        def type_of(tags):
            split = [[] for _ in type_names]
            for tag in tags:
                split[type_code[tag]].append(tag)
            return split

        # Requests of whole types, each under the bucket cap.
        sizes = {kind: int(np.count_nonzero(self.tag_types.type_of == i)) for i, kind in enumerate(type_names)}
        self.requests, current, used = [], {}, 0
        for kind in sorted(type_names, key=lambda k: -sizes[k]):
            if current and used + sizes[kind] > BUCKET_LIMIT:
                self.requests.append(current)
                current, used = {}, 0
            current[kind] = {"terms": {"field": f"facet_{kind}", "size": sizes[kind], "segment_size": sizes[kind]}}
            used += sizes[kind]
        self.requests.append(current)
        for doc in range(len(rows.work_ids)):
            fields = {name: columns[name][doc] for name in names}
            tags = tag_ids[offsets[doc] : offsets[doc + 1]]
            fields["tags"] = tags
            for kind, values in zip(type_names, type_of(tags), strict=True):
                if values:
                    fields[f"facet_{kind}"] = values
            writer.add_document(tantivy.Document.from_dict(fields, schema))
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()
        return time.perf_counter() - started

    def _query(self, work_filter, signed_in: bool):
        schema = self.schema
        clauses = [
            (tantivy.Occur.Must, tantivy.Query.term_query(schema, "tags", tag, index_option="basic"))
            for tag in work_filter.include_tags
        ]
        clauses += [
            (tantivy.Occur.MustNot, tantivy.Query.term_query(schema, "tags", tag, index_option="basic"))
            for tag in work_filter.exclude_tags
        ]
        if work_filter.ratings:
            ratings = sorted(work_filter.ratings)
            if ratings == list(range(ratings[0], ratings[-1] + 1)):
                clause = tantivy.Query.range_query(
                    schema, "tags", tantivy.FieldType.Unsigned, ratings[0], ratings[-1], use_inverted_index=True
                )
            else:
                clause = tantivy.Query.term_set_query(schema, "tags", ratings)
            clauses.append((tantivy.Occur.Must, clause))
        if not signed_in:
            clauses.append((tantivy.Occur.Must, tantivy.Query.term_query(schema, "restricted", False)))
        if not clauses:
            return tantivy.Query.all_query()
        if all(occur == tantivy.Occur.MustNot for occur, _ in clauses):
            clauses.append((tantivy.Occur.Must, tantivy.Query.all_query()))
        return tantivy.Query.boolean_query(clauses)

    def search(self, work_filter, *, signed_in: bool, facets: bool, page_size: int = 20) -> PeerResult:
        check_supported(work_filter)
        query = self._query(work_filter, signed_in)
        order = tantivy.Order.Desc if work_filter.direction == "desc" else tantivy.Order.Asc
        found = self.searcher.search(
            query,
            limit=page_size,
            count=True,
            order_by_field=SORT_COLUMNS[work_filter.sort],
            offset=(work_filter.page - 1) * page_size,
            order=order,
        )
        work_ids = [self.searcher.doc(address)["id"][0] for _, address in found.hits] if found.hits else []
        counts = {}
        if facets:
            for request in self.requests:
                result = self.searcher.aggregate(query, request)
                for kind in request:
                    buckets = result[kind]["buckets"]
                    if buckets:
                        tag_ids = np.fromiter((b["key"] for b in buckets), dtype=np.int64, count=len(buckets))
                        tag_counts = np.fromiter((b["doc_count"] for b in buckets), dtype=np.int64, count=len(buckets))
                        counts[kind] = (tag_ids, tag_counts)
        return PeerResult(work_ids=work_ids, total=found.count, facets=counts)

    def close(self) -> None:
        self.searcher = self.index = None
        if self.directory:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = None
