from django.urls import path

from . import views

app_name = "registry"

# included at the site's root: the household list is the home page ("/"), as it was when web held it
urlpatterns = [
    path("", views.household_list, name="household-list"),
    path("households/add/", views.household_add, name="household-add"),
    path("households/<int:pk>/", views.household_detail, name="household-detail"),
    path("households/<int:pk>/edit/", views.household_edit, name="household-edit"),
    path("households/<int:pk>/members/add/", views.member_add, name="member-add"),
    path("households/<int:pk>/events/add/", views.event_add, name="event-add"),
    path("households/<int:pk>/incomes/add/", views.yearly_add, {"kind": "income"}, name="income-add"),
    path("households/<int:pk>/incomes/<int:year>/edit/", views.yearly_edit, {"kind": "income"}, name="income-edit"),
    path("households/<int:pk>/conditions/add/", views.yearly_add, {"kind": "conditions"}, name="conditions-add"),
    path(
        "households/<int:pk>/conditions/<int:year>/edit/",
        views.yearly_edit,
        {"kind": "conditions"},
        name="conditions-edit",
    ),
    path("members/<int:pk>/edit/", views.member_edit, name="member-edit"),
    path("reveal/<slug:kind>/<int:pk>/<slug:field>/", views.reveal, name="reveal"),
    path("duplicates/", views.duplicate_persons, name="duplicates"),
    path("villages/<str:code>/", views.village_detail, name="village-detail"),
]
