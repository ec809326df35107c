from django.urls import path

from . import views

app_name = "registry"

# included at the site's root: the household list is the home page ("/"), as it was when web held it
urlpatterns = [
    path("", views.household_list, name="household-list"),
    path("households/<int:pk>/", views.household_detail, name="household-detail"),
    path("households/<int:pk>/edit/", views.household_edit, name="household-edit"),
    path("households/<int:pk>/members/add/", views.member_add, name="member-add"),
    path("households/<int:pk>/events/add/", views.event_add, name="event-add"),
    path("members/<int:pk>/edit/", views.member_edit, name="member-edit"),
    path("reveal/<slug:kind>/<int:pk>/<slug:field>/", views.reveal, name="reveal"),
    path("duplicates/", views.duplicate_persons, name="duplicates"),
    path("villages/<str:code>/", views.village_detail, name="village-detail"),
]
