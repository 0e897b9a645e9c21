"""Similar actions, computed: for each action, up to `TOP` actions from other
working groups whose words are closest (TF-IDF over the text, themes and tags;
cosine similarity), stored in `SimilarAction` so that pages read them in one query.

`rebuild()` recomputes every action (the `rebuild_similar_actions` command);
`refresh(ids)` recomputes the changed actions and the actions whose lists they
enter or leave (called when outputs change, see `signals.py`). Both fit the
vectoriser afresh on every action, so the scores are those a rebuild would give.
The same code runs on SQLite and PostgreSQL: only plain rows go in and out.
"""

from collections.abc import Callable, Iterable

import numpy as np
from django.db import transaction
from sklearn.feature_extraction.text import TfidfVectorizer
from taggit.models import TaggedItem

from recurring.models import SimilarAction
from workinggroups.models import Output

TOP = 10
# Rows of the similarity matrix computed at once: CHUNK x actions floats in memory.
CHUNK = 256
# Below this cosine similarity two texts share little more than a common word.
MIN_SCORE = 0.05


class Corpus:
    """Every action as a TF-IDF row, with its id and working group."""

    def __init__(self) -> None:
        rows = list(Output.objects.order_by("pk").values_list("pk", "working_group_id", "text"))
        words = labels()
        self.ids = np.array([pk for pk, _group, _text in rows], dtype=np.int64)
        self.groups = np.array([group for _pk, group, _text in rows], dtype=np.int64)
        self.position = {int(pk): i for i, pk in enumerate(self.ids)}
        documents = [f"{text} {words.get(pk, '')}" for pk, _group, text in rows]
        self.matrix = None
        if documents:
            try:
                self.matrix = vectoriser().fit_transform(documents).tocsr()
            except ValueError:  # no word left after stop words: nothing is similar
                self.matrix = None

    def __len__(self) -> int:
        return len(self.ids)

    def top(self, positions: np.ndarray) -> Iterable[tuple[int, list[tuple[int, float]]]]:
        """(action id, [(similar id, score), ...] best first) for rows `positions`."""
        if self.matrix is None:
            for i in positions:
                yield int(self.ids[i]), []
            return
        for start in range(0, len(positions), CHUNK):
            chunk = positions[start : start + CHUNK]
            # Sparse matrix times a dense block: several times faster than a sparse
            # product whose result is nearly dense anyway.
            scores = np.ascontiguousarray((self.matrix @ self.matrix[chunk].T.toarray()).T)
            # Never the action's own group (which includes the action itself).
            scores[self.groups[chunk][:, None] == self.groups[None, :]] = 0
            k = min(TOP, scores.shape[1] - 1)
            if k <= 0:
                for i in chunk:
                    yield int(self.ids[i]), []
                continue
            best = np.argpartition(-scores, k, axis=1)[:, :k]
            for row, i in enumerate(chunk):
                picked = best[row]
                # Ties broken by id, so both databases store the same order.
                order = sorted(picked, key=lambda j: (-scores[row, j], self.ids[j]))
                yield (
                    int(self.ids[i]),
                    [
                        (int(self.ids[j]), float(scores[row, j]))
                        for j in order
                        if scores[row, j] >= MIN_SCORE
                    ],
                )


def vectoriser() -> TfidfVectorizer:
    """Words and two-word phrases, English stop words left out, counts damped."""
    return TfidfVectorizer(
        stop_words="english",
        ngram_range=(1, 2),
        sublinear_tf=True,
        dtype=np.float32,
        token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z]+\b",
    )


def labels() -> dict[int, str]:
    """{action id: its themes' and tags' names}, which add words the text may lack."""
    words: dict[int, list[str]] = {}
    themes = Output.themes.through.objects.values_list("output_id", "theme__name")
    for pk, name in themes:
        words.setdefault(pk, []).append(name)
    tags = TaggedItem.objects.filter(
        content_type__app_label="workinggroups", content_type__model="output"
    )
    for pk, name in tags.values_list("object_id", "tag__name"):
        words.setdefault(pk, []).append(name)
    return {pk: " ".join(names) for pk, names in words.items()}


def store(results: Iterable[tuple[int, list[tuple[int, float]]]], replace: list[int]) -> int:
    """Replace the stored lists of the actions `replace` with `results`."""
    rows = [
        SimilarAction(action_id=pk, similar_id=other, rank=rank, score=round(score, 6))
        for pk, similar in results
        for rank, (other, score) in enumerate(similar, start=1)
    ]
    with transaction.atomic():
        for start in range(0, len(replace), 5000):
            SimilarAction.objects.filter(action_id__in=replace[start : start + 5000]).delete()
        SimilarAction.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def rebuild(progress: Callable[[Iterable], Iterable] | None = None) -> tuple[int, int]:
    """Recompute every action's similar actions; returns (actions, rows stored)."""
    corpus = Corpus()
    positions = np.arange(len(corpus))
    results = corpus.top(positions)
    if progress is not None:
        results = progress(results)
    results = list(results)
    with transaction.atomic():
        SimilarAction.objects.all().delete()
        stored = store(results, [])
    return len(corpus), stored


def refresh(changed: Iterable[int]) -> int:
    """Recompute the lists of the `changed` action ids (deleted ones are skipped),
    and of every action whose list they were in or now enter."""
    corpus = Corpus()
    changed = [pk for pk in set(changed) if pk in corpus.position]
    if not changed or corpus.matrix is None:
        return 0
    affected = set(changed)
    affected.update(
        SimilarAction.objects.filter(similar_id__in=changed).values_list("action_id", flat=True)
    )
    # An action whose list a changed action now enters: its score for the changed
    # action beats the last of its stored list (or the list is not full).
    floors = dict(SimilarAction.objects.filter(rank=TOP).values_list("action_id", "score"))
    columns = corpus.matrix[[corpus.position[pk] for pk in changed]]
    scores = np.asarray(corpus.matrix @ columns.T.toarray()).max(axis=1)
    for i in np.nonzero(scores >= MIN_SCORE)[0]:
        pk = int(corpus.ids[i])
        if scores[i] > floors.get(pk, 0):
            affected.add(pk)
    affected = {pk for pk in affected if pk in corpus.position}
    positions = np.array(sorted(corpus.position[pk] for pk in affected))
    store(corpus.top(positions), sorted(affected))
    return len(affected)
