pub mod artifact_repository;
