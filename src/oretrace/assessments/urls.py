from django.urls import path

from oretrace.assessments import editor_views, views

app_name = "assessments"

urlpatterns = [
    path("", views.assessment_list, name="list"),
    path("<int:assessment_id>/", views.assessment_detail, name="detail"),
    path("<int:assessment_id>/answer/", views.answer_page, name="answer"),
    path("<int:assessment_id>/questions/<int:question_id>/", views.save_answer, name="save"),
    path(
        "<int:assessment_id>/questions/<int:question_id>/evidence/",
        views.upload_evidence,
        name="evidence_upload",
    ),
    path("<int:assessment_id>/questions/<int:question_id>/comment/", views.comment, name="comment"),
    path("<int:assessment_id>/report/", views.gap_report, name="report"),
    path("evidence/<int:evidence_id>/", views.evidence_file, name="evidence"),
    path("actions/<int:action_id>/", views.action_update, name="action"),
    path("support/<int:request_id>/", views.support_answer, name="support"),
    path("progress/<int:update_id>/file/", views.progress_file, name="progress_file"),
    path("training/", views.training_list, name="training"),
    path("training/<int:module_id>/file/", views.training_file, name="training_file"),
    path("standards/", views.standard_list, name="standards"),
    path("standards/<int:standard_id>/", views.standard_detail, name="standard"),
    path("standards/<int:standard_id>/draft/", editor_views.draft_from, name="draft_from"),
    path("standards/drafts/new/", editor_views.draft_new, name="draft_new"),
    path("standards/drafts/<int:draft_id>/", editor_views.draft_detail, name="draft"),
    path(
        "standards/drafts/<int:draft_id>/section/",
        editor_views.draft_section,
        name="draft_section",
    ),
    path(
        "standards/drafts/<int:draft_id>/criterion/",
        editor_views.draft_criterion,
        name="draft_criterion",
    ),
    path(
        "standards/drafts/<int:draft_id>/question/",
        editor_views.draft_question,
        name="draft_question",
    ),
]
