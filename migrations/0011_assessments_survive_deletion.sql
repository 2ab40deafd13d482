ALTER TABLE "assessments" DROP CONSTRAINT "assessments_user_id_users_id_fk";
