import hashlib
import json
import re
from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from content.documents import export_document
from insights.models import Consultation, Organisation, Sector
from workinggroups.models import Output, Stage, WorkingGroup

REFERENCE = re.compile(r"^GEN\d{4}-P[12]-WG[1-4]-(WW|CN|PS|CO)-\d{2}$")


def generate(outputs, seed=42, **options):
    out = StringIO()
    call_command("generate_content", outputs=outputs, seed=seed, stdout=out, **options)
    return out.getvalue()


def generated_outputs():
    return Output.objects.filter(working_group__part__consultation__slug__startswith="generated-")


def digest():
    document = export_document(Consultation.objects.filter(slug__startswith="generated-"))
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()


def test_it_refuses_to_mix_generated_content_with_real_content(paper):
    with pytest.raises(CommandError, match="real consultation"):
        generate(20)
    assert not generated_outputs().exists()


def test_it_refuses_a_scale_below_one_output(db):
    with pytest.raises(CommandError, match="at least 1"):
        generate(0)


def test_it_runs_on_an_empty_database_without_force(db):
    Consultation.objects.all().delete()
    assert "200 outputs" in generate(200)
    assert generated_outputs().count() == 200


def test_the_same_seed_gives_identical_content(paper):
    generate(200, seed=7, force=True)
    first = digest()
    generate(200, seed=7, force=True)
    assert digest() == first
    generate(200, seed=8, force=True)
    assert digest() != first


def test_it_replaces_its_own_content_and_leaves_the_paper_alone(paper):
    before = Output.objects.count()
    generate(200, force=True)
    generate(300, force=True)
    assert generated_outputs().count() == 300
    assert Output.objects.count() == before + 300
    assert paper.parts.count() == 2


def test_generated_content_has_the_papers_proportions(paper):
    generate(400, force=True)
    outputs = generated_outputs()
    assert outputs.count() == 400
    assert set(outputs.values_list("stage", flat=True)) == set(Stage.values)
    assert not outputs.filter(themes=None).exists()
    theme_counts = Counter(
        outputs.values_list("pk", "themes").distinct().values_list("pk", flat=True)
    )
    assert max(theme_counts.values()) <= 3
    partnered = outputs.exclude(partners=None).count()
    tagged = outputs.exclude(tags=None).count()
    assert 0 < partnered < 400
    assert 0 < tagged < 400
    groups = WorkingGroup.objects.filter(slug__startswith="generated-")
    sizes = sorted(group.outputs.count() for group in groups)
    assert all(15 <= size <= 35 for size in sizes[1:])  # the smallest may be a remainder
    for consultation in Consultation.objects.filter(slug__startswith="generated-"):
        assert consultation.is_public
        assert consultation.parts.count() <= 2
        assert all(part.working_groups.count() <= 4 for part in consultation.parts.all())
    sectors = set(
        Organisation.objects.filter(slug__startswith="generated-").values_list("sector", flat=True)
    )
    assert sectors == set(Sector.values)


def test_references_are_unique_well_formed_and_what_save_would_build(paper):
    generate(300, force=True)
    outputs = list(generated_outputs().select_related("working_group__part__consultation"))
    references = [output.reference for output in outputs]
    assert len(set(references)) == 300
    assert all(REFERENCE.match(reference) for reference in references)
    assert all(output.reference == output.build_reference() for output in outputs)


def test_generated_actions_have_real_words_a_reader_can_find(client, paper):
    generate(200, force=True)
    output = generated_outputs().order_by("reference").first()
    word = max(output.text.split(), key=len).strip(".")
    response = client.get("/actions/", {"q": word})
    assert response.status_code == 200
    assert output.reference in response.content.decode()


def test_every_page_renders_over_generated_content(client, paper):
    generate(200, force=True)
    consultation = Consultation.objects.get(slug="generated-0001")
    response = client.get(consultation.get_absolute_url())
    assert response.status_code == 200
    assert consultation.title in response.content.decode()
    group = WorkingGroup.objects.filter(part__consultation=consultation).first()
    response = client.get(group.get_absolute_url())
    assert response.status_code == 200
    assert group.outputs.first().reference in response.content.decode()
