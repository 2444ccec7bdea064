import { ValidationError } from '@nestjs/common';
import { DomainError } from './errors';
import { fieldProblems, validationFailed } from './validation';

const err = (
  property: string,
  constraints?: Record<string, string>,
  children: ValidationError[] = [],
): ValidationError => ({ property, constraints, children });

describe('validation errors', () => {
  const tree = [
    err('limit', { max: 'limit must not be greater than 100', isInt: 'limit must be an integer number' }),
    err('author', undefined, [err('id', { min: 'id must not be less than 1' })]),
    err('items', undefined, [err('2', undefined, [err('name', { isString: 'name must be a string' })])]),
  ];

  it('flattens nested fields into one {field, reason} per failed rule', () => {
    expect(fieldProblems(tree)).toEqual([
      { field: 'limit', reason: 'limit must not be greater than 100' },
      { field: 'limit', reason: 'limit must be an integer number' },
      { field: 'author.id', reason: 'id must not be less than 1' },
      { field: 'items[2].name', reason: 'name must be a string' },
    ]);
  });

  it('becomes a 400 bad_request carrying the problems as details', () => {
    const e = validationFailed(tree);
    expect(e).toBeInstanceOf(DomainError);
    expect(e).toMatchObject({ code: 'bad_request', status: 400, details: fieldProblems(tree) });
    expect(e.message).toContain('limit must not be greater than 100');
  });
});
