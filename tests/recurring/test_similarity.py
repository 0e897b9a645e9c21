"""Similar actions: computed, from other groups only, refreshed on change, and good
enough on the labelled set (tests/recurring/labelled.py; figures in the README)."""

from io import StringIO

import numpy as np
import pytest
import tablib
from django.core.management import call_command

from recurring import similarity
from recurring.models import SimilarAction
from tests.factories import make_group, make_output
from tests.recurring.labelled import NOT_SAME_POINT, SAME_POINT, full
from workinggroups.models import Output
from workinggroups.resources import OutputResource


@pytest.fixture
def rebuilt(paper):
    similarity.rebuild()
    return dict(Output.objects.values_list("reference", "pk"))


def top(k):
    found: dict[int, list[int]] = {}
    for action, other in SimilarAction.objects.filter(rank__lte=k).values_list(
        "action_id", "similar_id"
    ):
        found.setdefault(action, []).append(other)
    return found


def recall_at_5(ids):
    best = top(5)
    sides = [(full(a), full(b)) for a, b in SAME_POINT] + [
        (full(b), full(a)) for a, b in SAME_POINT
    ]
    return sum(ids[b] in best.get(ids[a], []) for a, b in sides) / len(sides)


def false_share_at_5(ids):
    """Top-5 suggestions for the labelled actions that no shipped finding pairs
    with the action: counted as false (an upper bound: some are unlabelled)."""
    from recurring.models import RecurringFinding

    together = set()
    for finding in RecurringFinding.objects.prefetch_related("actions"):
        members = [action.pk for action in finding.actions.all()]
        together |= {(p, q) for p in members for q in members if p != q}
    best = top(5)
    actions = {ids[full(r)] for pair in SAME_POINT for r in pair}
    suggestions = [(a, s) for a in actions for s in best.get(a, [])]
    return sum(pair not in together for pair in suggestions) / len(suggestions)


def test_the_labelled_set_has_twenty_pairs_from_different_groups(paper):
    assert len(SAME_POINT) >= 20
    assert len(NOT_SAME_POINT) >= 5
    for a, b in SAME_POINT + NOT_SAME_POINT:
        first, second = (Output.objects.get(reference=full(r)) for r in (a, b))
        assert first.working_group_id != second.working_group_id, (a, b)


def test_recall_at_5_on_the_labelled_pairs_is_at_least_0_7(rebuilt):
    assert recall_at_5(rebuilt) >= 0.7


def test_at_most_70_percent_of_top_5_suggestions_are_false(rebuilt):
    assert false_share_at_5(rebuilt) <= 0.7


def test_same_point_pairs_score_higher_than_pairs_that_only_share_words(paper):
    corpus = similarity.Corpus()

    def score(a, b):
        rows = corpus.matrix[[corpus.position[corpus_id(a)], corpus.position[corpus_id(b)]]]
        return float((rows[0] @ rows[1].T).toarray()[0, 0])

    ids = dict(Output.objects.values_list("reference", "pk"))

    def corpus_id(reference):
        return ids[full(reference)]

    same = np.mean([score(a, b) for a, b in SAME_POINT])
    different = np.mean([score(a, b) for a, b in NOT_SAME_POINT])
    assert same > different


def test_suggestions_come_from_other_groups_best_first_at_most_ten(rebuilt):
    rows = SimilarAction.objects.select_related("action", "similar")
    by_action: dict[int, list] = {}
    for row in rows:
        assert row.action.working_group_id != row.similar.working_group_id
        by_action.setdefault(row.action_id, []).append(row)
    assert by_action, "the paper's actions have similar actions"
    for links in by_action.values():
        links.sort(key=lambda link: link.rank)
        assert len(links) <= 10
        assert [link.rank for link in links] == list(range(1, len(links) + 1))
        scores = [link.score for link in links]
        assert scores == sorted(scores, reverse=True)


def test_the_foi_actions_find_each_other(rebuilt):
    best = top(5)
    assert rebuilt["SGH24-P2-WG3-WW-02"] in best[rebuilt["SGH24-P1-WG3-WW-03"]]


def test_the_command_rebuilds_every_list(paper):
    SimilarAction.objects.all().delete()
    out = StringIO()
    call_command("rebuild_similar_actions", stdout=out)
    assert f"for {Output.objects.count()} actions" in out.getvalue()
    assert SimilarAction.objects.values("action").distinct().count() == Output.objects.count()


def test_a_new_action_is_suggested_after_its_save_commits(
    rebuilt, django_capture_on_commit_callbacks
):
    target = Output.objects.get(reference="SGH24-P1-WG3-WW-03")
    with django_capture_on_commit_callbacks(execute=True):
        twin = make_output(make_group(), text=target.text, themes=list(target.themes.all()))
    assert SimilarAction.objects.filter(action=twin, rank=1).get().similar == target
    assert SimilarAction.objects.filter(action=target, similar=twin, rank=1).exists()


def test_an_action_imported_from_a_spreadsheet_is_suggested_after_the_import_commits(
    rebuilt, django_capture_on_commit_callbacks
):
    # The import writes in bulk, which sends no post_save: it says what it wrote.
    target = Output.objects.get(reference="SGH24-P1-WG3-WW-03")
    group = make_group()
    themes = ",".join(target.themes.values_list("slug", flat=True))
    dataset = tablib.Dataset(
        ["", group.slug, "worked_well", "1", target.text, themes],
        headers=["reference", "working_group", "stage", "order", "text", "themes"],
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = OutputResource().import_data(dataset)
    assert result.totals["new"] == 1
    twin = group.outputs.get()
    assert SimilarAction.objects.filter(action=twin, rank=1).get().similar == target
    assert SimilarAction.objects.filter(action=target, similar=twin, rank=1).exists()


def test_an_edited_text_refreshes_the_lists_it_leaves(rebuilt, django_capture_on_commit_callbacks):
    target = Output.objects.get(reference="SGH24-P2-WG3-WW-02")
    pointing = set(SimilarAction.objects.filter(similar=target).values_list("action_id", flat=True))
    assert pointing
    with django_capture_on_commit_callbacks(execute=True):
        target.text = "Zebras quietly juggle marmalade."
        target.save()
        target.themes.clear()
        target.tags.clear()
    assert not SimilarAction.objects.filter(similar=target).exists()
    # The lists it left are full again.
    for pk in pointing:
        assert SimilarAction.objects.filter(action_id=pk).count() == 10


def test_a_deleted_action_leaves_no_gap(rebuilt, django_capture_on_commit_callbacks):
    target = Output.objects.get(reference="SGH24-P2-WG3-WW-02")
    pointing = list(
        SimilarAction.objects.filter(similar=target).values_list("action_id", flat=True)
    )
    with django_capture_on_commit_callbacks(execute=True):
        target.delete()
    for pk in pointing:
        assert SimilarAction.objects.filter(action_id=pk).count() == 10


def test_the_setting_turns_the_refresh_off_for_bulk_loads(
    rebuilt, settings, django_capture_on_commit_callbacks
):
    settings.SIMILAR_ACTIONS_ON_SAVE = False
    with django_capture_on_commit_callbacks(execute=True):
        output = make_output(make_group(), text="Freedom of Information requests.")
    assert not SimilarAction.objects.filter(action=output).exists()
