"""Fleet operation on Temporal: workflows, activities, workers and schedules for many agents."""
