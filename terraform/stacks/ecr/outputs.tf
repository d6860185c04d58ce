output "repository_name" {
  description = "Name of the ECR repository for the Triton image."
  value       = aws_ecr_repository.this.name
}

output "repository_url" {
  description = "URL of the ECR repository (ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME)."
  value       = aws_ecr_repository.this.repository_url
}

output "repository_arn" {
  description = "ARN of the ECR repository."
  value       = aws_ecr_repository.this.arn
}

output "model_bucket_name" {
  description = "Name of the S3 bucket holding Triton's model repository."
  value       = aws_s3_bucket.models.id
}

output "model_bucket_arn" {
  description = "ARN of the model bucket."
  value       = aws_s3_bucket.models.arn
}
