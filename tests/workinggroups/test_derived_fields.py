"""Paper order and visibility are stored on each output, and follow every change
of where it sits and of its consultation's status."""

import datetime

from insights.models import Consultation, Status
from tests.factories import make_consultation, make_group, make_output, make_part
from workinggroups.models import Output, Stage


def printed_order(outputs):
    """The order the papers print them in, worked out from where each one sits."""
    return sorted(
        outputs,
        key=lambda o: (
            o.working_group.part.consultation.start_date,
            o.working_group.part.consultation_id,
            o.working_group.part.number,
            o.working_group.number,
            Stage(o.stage).rank,
            o.order,
        ),
    )


def listed(*outputs):
    return list(Output.objects.filter(pk__in=[o.pk for o in outputs]).in_paper_order())


def test_the_paper_is_listed_as_printed(paper):
    outputs = list(Output.objects.select_related("working_group__part__consultation"))
    assert len(outputs) > 200
    assert listed(*outputs) == printed_order(outputs)


def test_re_dating_a_consultation_moves_its_outputs(db):
    early = make_consultation(start_date=datetime.date(2020, 1, 1))
    late = make_consultation(start_date=datetime.date(2022, 1, 1))
    first = make_output(make_group(make_part(early)))
    second = make_output(make_group(make_part(late)))
    assert listed(first, second) == [first, second]
    late = Consultation.objects.get(pk=late.pk)
    late.start_date = datetime.date(2019, 6, 1)
    late.save()
    assert listed(first, second) == [second, first]


def test_renumbering_a_group_or_part_moves_its_outputs(db):
    consultation = make_consultation()
    part_one, part_two = make_part(consultation), make_part(consultation)
    group_a, group_b = make_group(part_one), make_group(part_one)
    a = make_output(group_a, Stage.COLLABORATION)
    b = make_output(group_b, Stage.WORKED_WELL)
    c = make_output(make_group(part_two))
    assert listed(a, b, c) == [a, b, c]
    group_a.number = 9
    group_a.save()
    assert listed(a, b, c) == [b, a, c]
    part_one.number, part_two.number = 8, 7
    part_two.save()
    part_one.save()
    assert listed(a, b, c) == [c, b, a]


def test_moving_an_output_within_its_group_moves_it(db):
    group = make_group()
    worked, collaboration = (
        make_output(group, Stage.WORKED_WELL),
        make_output(group, Stage.COLLABORATION),
    )
    assert listed(worked, collaboration) == [worked, collaboration]
    worked.stage = Stage.COLLABORATION
    worked.order = 5
    worked.save()
    assert listed(worked, collaboration) == [collaboration, worked]


def test_moving_a_group_to_a_draft_consultation_hides_its_outputs(db):
    group = make_group()
    output = make_output(group)
    assert list(Output.objects.published().filter(pk=output.pk)) == [output]
    group.part = make_part(make_consultation(status=Status.DRAFT))
    group.save()
    assert not Output.objects.published().filter(pk=output.pk).exists()
    group.part.consultation.status = Status.ARCHIVED
    group.part.consultation.save()
    assert Output.objects.published().filter(pk=output.pk).exists()


def test_a_new_output_of_a_draft_is_not_public(db):
    output = make_output(make_group(make_part(make_consultation(status=Status.REVIEW))))
    assert Output.objects.get(pk=output.pk).is_public is False
